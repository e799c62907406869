using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;

namespace AkCache.Internals.Locking;

/// <summary>
/// In-process single flight: the first caller of a missing key computes it; concurrent callers of
/// the same key in this process wait for that computation instead of starting their own.
/// </summary>
internal sealed class LocalFlights
{
    private readonly ConcurrentDictionary<MethodKey, Flight> _flights = new();
    private int _waitersJoined;

    /// <summary>
    /// How many calls joined another caller's flight to wait for it, since this runtime was
    /// configured: lets a test act once a caller is committed to waiting, instead of sleeping.
    /// </summary>
    internal int WaitersJoined => Volatile.Read(ref _waitersJoined);

    /// <summary>The flight for this call; <paramref name="owner"/> is true when the caller must compute it.</summary>
    public Flight Join(MemoizedMethod method, MemoKey key, out bool owner)
    {
        var mine = new Flight();
        var flight = _flights.GetOrAdd(new MethodKey(method, key), mine);
        owner = ReferenceEquals(flight, mine);
        if (!owner)
        {
            Interlocked.Increment(ref _waitersJoined);
        }

        return flight;
    }

    public void Leave(MemoizedMethod method, MemoKey key, Flight flight) =>
        ((ICollection<KeyValuePair<MethodKey, Flight>>)_flights).Remove(new KeyValuePair<MethodKey, Flight>(new MethodKey(method, key), flight));
}

/// <summary>One computation that other callers can wait for.</summary>
internal sealed class Flight
{
    private readonly TaskCompletionSource<FlightOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<FlightOutcome> Outcome => _outcome.Task;

    private System.Diagnostics.Activity? _owner;

    /// <summary>
    /// The owner's miss span, when one is recorded: the waiters' spans link to it. Set once the owner
    /// started it; a waiter that joined before reads it again when its wait ends.
    /// </summary>
    public System.Diagnostics.Activity? Owner
    {
        get => Volatile.Read(ref _owner);
        set => Volatile.Write(ref _owner, value);
    }

    /// <param name="envelope">The result's bytes (computed here, or read from Redis), from which each waiter reads a copy of its own; null when the result cannot be cached.</param>
    /// <param name="value">The result itself, for when there are no bytes to read.</param>
    public void Succeed(byte[]? envelope, object? value) => _outcome.TrySetResult(new FlightOutcome(envelope, value));

    /// <summary>Waiters in this process get the owner's exception, as the owner does.</summary>
    public void Fail(Exception exception) => _outcome.TrySetException(exception);

    /// <summary>Blocks until the owner is done; cancelling stops this wait only.</summary>
    public FlightOutcome Wait(CancellationToken cancellationToken)
    {
        try
        {
            _outcome.Task.Wait(cancellationToken);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException!).Throw();
        }

        return _outcome.Task.Result;
    }

    public Task<FlightOutcome> WaitAsync(CancellationToken cancellationToken) => _outcome.Task.WithCancellation(cancellationToken);

    /// <summary><see cref="Wait"/> or <see cref="WaitAsync(CancellationToken)"/>: the engine's one call for both forms.</summary>
    public ValueTask<FlightOutcome> WaitAsync(CancellationToken cancellationToken, bool synchronous) =>
        synchronous ? new ValueTask<FlightOutcome>(Wait(cancellationToken)) : new ValueTask<FlightOutcome>(WaitAsync(cancellationToken));
}

internal readonly struct FlightOutcome
{
    public FlightOutcome(byte[]? envelope, object? value)
    {
        Envelope = envelope;
        Value = value;
    }

    public byte[]? Envelope { get; }

    public object? Value { get; }
}

/// <summary>
/// The keys the current call chain is computing. A memoized method that calls itself with the same
/// key must not wait for its own flight (that would deadlock): it computes directly.
/// </summary>
internal static class FlightScope
{
    private static readonly AsyncLocal<Node?> Current = new();

    public static bool IsInside(MemoizedMethod method, MemoKey key)
    {
        for (var node = Current.Value; node is not null; node = node.Next)
        {
            if (ReferenceEquals(node.Method, method) && node.Key.Equals(key))
            {
                return true;
            }
        }

        return false;
    }

    public static Scope Enter(MemoizedMethod method, MemoKey key)
    {
        var previous = Current.Value;
        Current.Value = new Node(method, key, previous);
        return new Scope(previous);
    }

    internal readonly struct Scope : IDisposable
    {
        private readonly Node? _previous;

        public Scope(Node? previous) => _previous = previous;

        public void Dispose() => Current.Value = _previous;
    }

    internal sealed class Node
    {
        public Node(MemoizedMethod method, MemoKey key, Node? next)
        {
            Method = method;
            Key = key;
            Next = next;
        }

        public MemoizedMethod Method { get; }

        public MemoKey Key { get; }

        public Node? Next { get; }
    }
}
