using System;
using Microsoft.Extensions.Logging;

namespace AkCache.Internals.Logging;

/// <summary>
/// The logger used when the application gives none: warnings and errors go to standard error, so
/// that a Redis outage or an uncacheable type is never silent.
/// </summary>
internal sealed class StandardErrorLoggerFactory : ILoggerFactory
{
    public static readonly StandardErrorLoggerFactory Instance = new();

    public ILogger CreateLogger(string categoryName) => StandardErrorLogger.Instance;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class StandardErrorLogger : ILogger
    {
        public static readonly StandardErrorLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel == LogLevel.Warning ? "warn" : "fail";
            Console.Error.WriteLine($"{level}: {formatter(state, exception)}");
        }
    }
}
