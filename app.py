#!/usr/bin/env python3
"""CDK entry point (`cdk.json` runs it): `npx cdk synth`, `npx cdk deploy -c key=value ...`.

The context keys and their defaults are in infra/settings.py (DeploymentSettings).
"""

from aws_cdk import App

from infra.app import build_app

app = App()
build_app(app)
app.synth()
