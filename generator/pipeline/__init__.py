"""The build: plan once, make each document, record what it was made from."""
