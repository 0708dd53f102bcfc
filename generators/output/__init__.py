"""Writing output whole or not at all, and only where Handrail may: files, stdout, output folders."""
