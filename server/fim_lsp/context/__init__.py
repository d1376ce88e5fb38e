"""Cross-file context for FIM prompts: what other files say about the code at the cursor.

Each source is a small module with one job (``definitions``, ``similar``, ``recent``);
``admission`` decides which files may be read at all; ``gather`` picks snippets under the
token budget on the keystroke path; ``render`` writes them in each model family's format.
"""
