"""The one text layer: input checks, normalization, tokens, sentences, inflection, templates."""
