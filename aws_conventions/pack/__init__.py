"""The pack as the distribution installs it; see :mod:`aws_conventions.installation`."""
