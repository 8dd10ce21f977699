"""Shared widgets of the app: the store handle, formatting, filters and chart builders."""
