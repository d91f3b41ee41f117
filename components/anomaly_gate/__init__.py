"""AnomalyGate: stops the run when ExampleValidator found anomalies in any split."""
