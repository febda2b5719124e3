"""Code shared by every Lambda function: settings, configuration, Personalize access, models, errors."""
