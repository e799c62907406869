using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace AkCache.Tests.Support;

/// <summary>Collects every log entry, so tests can count warnings and check that no password leaks.</summary>
public sealed class ListLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => _entries.ToList();

    public IReadOnlyList<string> Warnings => _entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        _entries.Enqueue((logLevel, message));
        SuiteLog.Add(exception is null ? message : message + " | " + exception);
    }
}
