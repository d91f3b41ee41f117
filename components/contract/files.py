"""Names of the files the Trainer writes beside its model, which the Pusher, the inspection tools and
the bench read back.
"""

# Beside the TensorBoard logs (ModelRun): the per-epoch curves (Keras's history) and the TrainingConfig the
# model was trained with (after any Tuner values).
HISTORY_FILE = "history.json"
TRAINED_CONFIG_FILE = "training_config.json"
# In HISTORY_FILE, beside Keras's metrics: each epoch's wall seconds (time to accuracy, in the bench).
EPOCH_SECONDS_KEY = "epoch_seconds"
# Beside the serving model, in the Model artifact: the warm start the Trainer made, JSON (model card).
WARM_START_FILE = "warm_start.json"
# Beside the serving model: the Keras weights a later Trainer warm-starts from
# (components/training/warm_start_weights.py).
WEIGHTS_DIR = "keras-weights"
