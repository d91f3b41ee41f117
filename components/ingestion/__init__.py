"""FashionMnistExampleGen: the four IDX files in, one Examples artifact with train/eval/test out."""
