"""Operator edits, pure: the edit operations, their inputs and the pasted-rows parser."""
