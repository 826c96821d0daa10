"""Staff authentication: password hashing, sessions, roles."""
