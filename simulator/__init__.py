"""customer-roleplay: a role-play simulator for handling challenging customers."""

__version__ = "0.1.0"
