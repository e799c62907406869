using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace AkCache.Tests.Support;

/// <summary>Collects every log entry, so tests can count warnings and check that no password leaks.</summary>
public sealed class ListLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private readonly ThreadLocal<long> _askedOnThisThread = new();
    private long _asked;

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => _entries.ToList();

    /// <summary>Every entry with its event ID and the exception attached.</summary>
    public IReadOnlyList<LogRecord> Records => _records.ToList();

    /// <summary>How often AkCache asked whether a level is enabled, or logged: what a call costs the logger.</summary>
    public long Touches => Interlocked.Read(ref _asked);

    /// <summary><see cref="Touches"/> from the calling thread only (background connections log on their own).</summary>
    public long TouchesOnThisThread => _askedOnThisThread.Value;

    public IReadOnlyList<string> Warnings => _entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
        // The factory may still be asked after a test is done (a background connection); the per-thread count is left to the collector.
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel)
    {
        Interlocked.Increment(ref _asked);
        _askedOnThisThread.Value++;
        return true;
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Interlocked.Increment(ref _asked);
        _askedOnThisThread.Value++;
        var message = formatter(state, exception);
        _entries.Enqueue((logLevel, message));
        _records.Enqueue(new LogRecord(logLevel, eventId, message, exception));
        SuiteLog.Add(exception is null ? message : message + " | " + exception);
    }
}

/// <summary>One log entry as a test sees it.</summary>
public sealed record LogRecord(LogLevel Level, EventId EventId, string Message, Exception? Exception);
