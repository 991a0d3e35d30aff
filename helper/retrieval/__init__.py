"""Retrieval: the corpus, its chunks, embeddings, the Chroma + BM25 index, citations."""
