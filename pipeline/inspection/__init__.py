"""Reading what the pipeline recorded: ML Metadata, TFMA's and TFDV's files, the pushed models.

Nothing in this package imports TensorFlow or TFX: ``make inspect`` answers in
about a second, and the run summary, the report and the notebook share it.
"""
