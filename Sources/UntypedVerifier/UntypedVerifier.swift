// The verifier: runs the core symbolically and states the proof obligations.
