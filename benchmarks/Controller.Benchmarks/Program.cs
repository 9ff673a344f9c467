using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Controller.Benchmarks.PlacementBenchmarks).Assembly).Run(args);
