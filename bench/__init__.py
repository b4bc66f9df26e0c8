"""The benchmark harness at network scale (issue 10): data generator, runner, throughput run."""
