"""The run store's schema versions, oldest first."""
