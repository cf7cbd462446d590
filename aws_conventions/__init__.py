"""Tools around the aws-conventions policy pack: the engine client and the local runner."""
