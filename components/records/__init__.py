"""Readers of what the components write, none of which imports TensorFlow or TFX.

TFRecord files in plain Python, TFMA's and tf.Example's messages through a
private descriptor pool, TFMA's evaluation folder, TFDV's per-split files. The
Pusher (for the model card) and the inspection tools both read through here.
"""
