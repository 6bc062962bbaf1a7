"""Personal data that can be erased without touching the log (crypto-shredding).

Personal fields of an event (names, free texts about a household or a person) are stored
sealed: encrypted under a key of their subject, held outside the event rows. The hash chain,
Merkle proofs, checkpoints and evidence packs commit to the sealed bytes, so they verify without
any key; erasing a subject destroys its key, and every sealed field about it becomes unreadable
for good, in the database, in its backups and in any copy of the log.
"""
