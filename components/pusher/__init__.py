"""AtomicPusher: publishes a model blessed by the Evaluator and the serving canary, atomically, with a model card."""
