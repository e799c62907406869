using System;

namespace AkCache.Cli;

/// <summary>The <c>akcache</c> tool's entry point: the console's streams and the process's environment.</summary>
internal static class Program
{
    private static int Main(string[] args) =>
        new CliApp(Console.Out, Console.Error, Console.In, Environment.GetEnvironmentVariable, interactive: !Console.IsErrorRedirected).Run(args);
}
