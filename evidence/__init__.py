"""Evidence for disputes: signed evidence packs and the dispute view.

Sits above both the ledger (its log, proofs and checkpoints) and the projections (the view
that was shown when a contested event was recorded).
"""
