"""fim-lsp: AI inline completions for any LSP editor from fill-in-the-middle code models."""

__version__ = "0.1.0"
