"""Tamper evidence over the log: the hash chain, the Merkle tree, signed checkpoints, proofs,
verification and export. It reads the log through the recorder and knows no domain rules."""
