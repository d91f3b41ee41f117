"""tuner_fn: a real KerasTuner random search over the tf_keras model, on a few real-format examples."""

from pathlib import Path

from tfx.components.trainer.fn_args_utils import FnArgs

from components.contract import keys, training_config
from components.contract.training_config import TrainingConfig
from components.training import tuner
from tests.support.example_records import fixture_images, write_examples


def test_search_finds_hyperparameters_the_trainer_applies(transform_output, tmp_path: Path):
    images, labels = fixture_images(60, seed=2)
    config = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=0)
    fn_args = FnArgs(
        train_files=[str(write_examples(tmp_path / "train.tfrecord", images[:40], labels[:40]))],
        eval_files=[str(write_examples(tmp_path / "eval.tfrecord", images[40:], labels[40:]))],
        transform_graph_path=str(Path(transform_output.transform_savedmodel_dir).parent),
        working_dir=str(tmp_path / "work"),
        custom_config={
            keys.TRAINING_CONFIG_KEY: config.to_dict(),
            keys.TUNE_TRIALS_KEY: 2,
            keys.TUNE_EPOCHS_KEY: 1,
        },
    )
    result = tuner.tuner_fn(fn_args)
    result.tuner.search(**result.fit_kwargs)
    trials = result.tuner.oracle.get_best_trials(num_trials=5)
    assert len(trials) == 2 and all(t.status == "COMPLETED" for t in trials), [t.message for t in trials]
    best = result.tuner.get_best_hyperparameters()[0]
    space = tuner.search_space()
    for name in ("learning_rate", "dropout"):
        assert best.get(name) in space._hps[name][0].values

    tuned = training_config.apply_best(config, best.get_config())
    assert (tuned.learning_rate, tuned.dropout) == (best.get("learning_rate"), best.get("dropout"))
    assert (tuned.epochs, tuned.batch_size, tuned.seed) == (3, 16, 0), "only the searched values change"
