#!/usr/bin/env node
import { createCommonsApp } from '../app';

// `cdk synth` / `cdk deploy`: cdk-nag on, real esbuild bundles.
createCommonsApp({ nag: true, bundle: true });
