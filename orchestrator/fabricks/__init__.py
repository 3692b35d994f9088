"""Fabricks: run existing web apps as WebAssembly components on any wasi:http host."""

__version__ = "0.1.0"
