"""The database backend for the embedded PostgreSQL server (``ENGINE: config.embedded_db``).

Django's PostgreSQL backend, except that it starts (or joins) the embedded server when this
process first needs it, rather than when the settings are read (config/database.py).
"""
