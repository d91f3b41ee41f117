"""Where the raw Fashion-MNIST files come from, and the curated schema."""
