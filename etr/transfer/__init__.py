"""DCSA PINT 3.0 transfers of control: model, state machine, signing and verification.

Import what you need::

    from etr.transfer.verify import verify_envelope, verify_entry, ChainHead
    from etr.transfer.sign import issue, append

Modules: :mod:`~etr.transfer.model` (the PINT data model), :mod:`~etr.transfer.state` (who holds
the eBL), :mod:`~etr.transfer.sign` (signing), :mod:`~etr.transfer.verify` (an envelope, as a loop
over :mod:`~etr.transfer.entries`: one chain entry against the head before it), with
:mod:`~etr.transfer.manifests`, :mod:`~etr.transfer.legacy`, :mod:`~etr.transfer.checks` and
:mod:`~etr.transfer.results`. This package imports none of them eagerly, so ``import etr.transfer``
stays cheap.
"""
