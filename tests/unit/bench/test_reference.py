"""What oneDNN's verbose output says about the kernels it ran (bench/reference.py), without running TensorFlow."""

from bench import reference

HEADER = [
    "onednn_verbose,v1,info,oneDNN v3.3.0 (commit ...)",
    "onednn_verbose,v1,info,cpu,runtime:OpenMP,nthr:2",
    "onednn_verbose,v1,info,cpu,isa:Intel AVX-512 with Intel DL Boost and bfloat16 support and Intel AMX with "
    "bfloat16 and 8-bit integer support",
]


def test_amx_is_what_a_primitive_ran_on_not_what_the_cpu_offers():
    ran_amx = "onednn_verbose,v1,primitive,exec,cpu,convolution,brg_conv_fwd:avx512_core_amx_bf16,forward_training,..."
    ran_avx512 = "onednn_verbose,v1,primitive,exec,cpu,convolution,brg_conv_fwd:avx512_core_bf16,forward_training,..."
    isa, amx = reference.onednn_isa([*HEADER, ran_avx512, ran_amx])
    assert isa.startswith("Intel AVX-512 with Intel DL Boost") and amx
    # ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16: the CPU still offers AMX, no kernel uses it.
    assert reference.onednn_isa([*HEADER, ran_avx512]) == (isa, False)


def test_no_verbose_output_reports_nothing():
    assert reference.onednn_isa(["some other line"]) == (None, False)
