"""``fim-lsp eval``: HumanEval infilling through the editor's own pipeline, scored by running it."""
