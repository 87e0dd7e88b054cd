"""Kept for migration 0007, which imports bawaba.deployments.photohash: the code is in field/photohash.py."""

from .field.photohash import *  # noqa: F403
