"""DCSA PINT 3.0 transfers of control: model, state machine, signing and verification.

Import what you need::

    from etr.transfer.verify import verify_envelope
    from etr.transfer.sign import issue, append

This package imports none of its modules eagerly, so ``import etr.transfer``
stays cheap.
"""
