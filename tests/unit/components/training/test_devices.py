"""components/training/devices.py: the precision a CPU can train in."""

from components.training import devices


def test_bf16_capability_comes_from_the_cpu_flags():
    assert devices.bf16_capable_cpu("processor: 0\nflags\t\t: fpu sse avx512f amx_bf16 amx_tile\n")
    assert devices.bf16_capable_cpu("flags : avx512_bf16\n")
    assert not devices.bf16_capable_cpu("flags : fpu sse avx2 avx512f\n")
    assert devices.resolve_precision("float32") == "float32"
    assert devices.resolve_precision("auto") in ("float32", "mixed_bfloat16")
