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

# The on-device model (components/lite_conversion/): in its Model artifact, the flatbuffer under the serving
# folder by the name TFMA's tf_lite model type loads (``<uri>/Format-Serving/tflite``), and beside it the
# conversion's report (every candidate's size and accuracy, and the choice), JSON.
TFLITE_FILE = "tflite"
CONVERSION_REPORT_FILE = "conversion.json"
# The pushed copy's file name, in ``<serving_model_lite>/<name>/<version>/``.
PUSHED_TFLITE_FILE = "model.tflite"
