using System.Collections.Generic;
using System.Reflection;
using System.Threading.Tasks;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("AkCache.Tests.Infrastructure.GarnetFallbackReport", "Tests")]

namespace AkCache.Tests.Infrastructure;

/// <summary>
/// xunit's own test framework, plus one line at the end of the run when any "real Redis" test ran on
/// the embedded Garnet because redis-server was not on PATH: without it such a run passes silently.
/// The line is an xunit diagnostic message (xunit.runner.json turns them on), which `dotnet test`
/// prints as a warning just before its summary, whether tests passed or failed.
/// </summary>
public sealed class GarnetFallbackReport : XunitTestFramework
{
    public GarnetFallbackReport(IMessageSink messageSink)
        : base(messageSink)
    {
    }

    /// <returns>The line for the end of the run, or null when every server was a redis-server.</returns>
    internal static string? Line(IReadOnlyList<string> fallbacks) => fallbacks.Count == 0
        ? null
        : $"AkCache tests: {fallbacks.Count} Redis test server(s) fell back to the embedded Garnet because redis-server is not on PATH " +
          $"(first: {fallbacks[0]}); those tests did not run against redis-server. Install redis-server, or set CI=true to make this an error.";

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor : XunitTestFrameworkExecutor
    {
        public Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
            : base(assemblyName, sourceInformationProvider, diagnosticMessageSink)
        {
        }

        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new AssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class AssemblyRunner : XunitTestAssemblyRunner
    {
        public AssemblyRunner(ITestAssembly testAssembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnosticMessageSink, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
            : base(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
        {
        }

        // Before the "assembly finished" message, after which the runner may stop listening.
        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            await base.BeforeTestAssemblyFinishedAsync();
            if (Line(RedisTestServer.GarnetFallbacks) is { } line)
            {
                DiagnosticMessageSink.OnMessage(new DiagnosticMessage(line));
            }
        }
    }
}
