using System;
using System.Globalization;

namespace AkCache.Soak;

/// <summary>
/// The soak run of docs/reliability.md.
/// <code>
/// bash soak/run.sh [--minutes 10] [--processes 8] [--threads 8] [--keys 200] [--restart-every 60] [--report FILE]
/// </code>
/// Exit codes: 0 when every call of every worker returned the right result without an exception and
/// the results were shared through Redis; 1 when a wrong result, an exception or a missing report
/// was seen; 2 for bad arguments or a server that cannot be started.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        SoakArguments arguments;
        try
        {
            arguments = SoakArguments.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            Console.Error.WriteLine("usage: bash soak/run.sh [--minutes 10] [--processes 8] [--threads 8] [--keys 200] [--restart-every 60] [--report FILE]");
            return 2;
        }

        if (arguments.Worker)
        {
            return Worker.Run(arguments);
        }

        try
        {
            return new Driver(arguments).Run();
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 2;
        }
    }
}

internal sealed class SoakArguments
{
    public bool Worker { get; private set; }

    public double Minutes { get; private set; } = 10;

    public int Processes { get; private set; } = 8;

    public int Threads { get; private set; } = 8;

    public int Keys { get; private set; } = 200;

    public double RestartEverySeconds { get; private set; } = 60;

    public string? Report { get; private set; }

    public long Until { get; private set; }

    public long StartedAt { get; private set; }

    public int Seed { get; private set; }

    /// <summary>For the test of the soak itself: the workers compute a wrong quote for id 0 (see <see cref="Workload.Sabotage"/>).</summary>
    public bool Sabotage { get; private set; }

    public static SoakArguments Parse(string[] args)
    {
        var result = new SoakArguments();
        for (var i = 0; i < args.Length; i++)
        {
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{args[i]} needs a value");
                }

                return args[++i];
            }

            double Number(double min, double max)
            {
                var name = args[i];
                var text = Value();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                {
                    throw new ArgumentException($"{name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
                }

                return value;
            }

            switch (args[i])
            {
                case "--worker": result.Worker = true; break;
                case "--sabotage": result.Sabotage = true; break;
                case "--minutes": result.Minutes = Number(0.25, 120); break;
                case "--processes": result.Processes = (int)Number(1, 64); break;
                case "--threads": result.Threads = (int)Number(1, 64); break;
                case "--keys": result.Keys = (int)Number(1, 100_000); break;
                case "--restart-every": result.RestartEverySeconds = Number(5, 3600); break;
                case "--report": result.Report = Value(); break;
                case "--until": result.Until = (long)Number(0, double.MaxValue); break;
                case "--started-at": result.StartedAt = (long)Number(0, double.MaxValue); break;
                case "--seed": result.Seed = (int)Number(int.MinValue, int.MaxValue); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        return result;
    }
}
