"""ServingCanary: loads the candidate as a server would and runs a canary batch through both signatures."""
