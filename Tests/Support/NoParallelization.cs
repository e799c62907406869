// AkCache's runtime configuration is process-wide; tests that change it must not overlap.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
