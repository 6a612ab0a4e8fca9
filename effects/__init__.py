"""Magic-expression effects drawn with pygame."""
