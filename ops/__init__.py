"""Running in production: request log and id, health check, body size caps, idle sessions, login lockout."""
