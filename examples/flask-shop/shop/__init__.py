"""A tiny demo shop split into blueprints."""
