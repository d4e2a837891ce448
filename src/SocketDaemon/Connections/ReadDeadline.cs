using SocketDaemon.Framing;

namespace SocketDaemon.Connections;

/// <summary>
/// Every rule on how long a connection's next read may wait, in one place: <c>FrameTimeout</c> from a frame's first
/// byte, <c>MinDataRate</c> after its grace period, <c>IdleTimeout</c> between frames, <c>MaxConnectionAge</c> at a frame
/// boundary, and the quiet period of a stop. It also holds the pending read's deadline, which the connection manager's
/// one tick compares with the clock (<see cref="ExpireIfDue"/>) instead of a timer per connection.
/// </summary>
internal sealed class ReadDeadline
{
    /// <summary>
    /// At stop, a connection is read until it has been quiet this long: what the peer already sent is in the socket
    /// buffer by then, and a sender on a loaded machine pauses between writes for a good part of a second.
    /// </summary>
    internal static readonly TimeSpan ShutdownQuietPeriod = TimeSpan.FromSeconds(1);

    /// <summary>No read pending, or one without a deadline.</summary>
    internal const long None = long.MaxValue;

    private readonly StreamConnection _connection;
    private readonly TimeProvider _time;
    private readonly long _opened;

    // The pending read's deadline (a TimeProvider timestamp), and the one a read after a park keeps.
    private long _deadline = None;
    private long _resume = None;

    // The frame under way: when its first bytes came (0: between frames) and how many have come; which limit the last
    // timeout given out was.
    private long _frameStarted;
    private long _frameBytes;
    private bool _isRate;
    private bool _isAge;

    public ReadDeadline(StreamConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        _opened = time.GetTimestamp();
    }

    private ListenerLimits Limits => _connection.Listener.Limits;

    private bool Stopping => _connection.Stopping.IsCancellationRequested;

    /// <summary>Whether the connection has lived past <c>MaxConnectionAge</c>: it closes at the next frame boundary.</summary>
    public bool IsPastMaxAge => Limits.MaxConnectionAge is { } age && _time.GetElapsedTime(_opened) >= age;

    /// <summary>
    /// How long the next read may wait: the quiet period when stopping; between frames, <c>IdleTimeout</c> (or what is
    /// left of <c>MaxConnectionAge</c>); inside one, what is left of <c>FrameTimeout</c> since the frame began, or less
    /// when <c>MinDataRate</c> wants the next bytes sooner.
    /// </summary>
    public TimeSpan NextTimeout(bool midFrame)
    {
        if (Stopping)
        {
            return ShutdownQuietPeriod;
        }

        var limits = Limits;
        if (!midFrame)
        {
            var idle = limits.IdleTimeout;
            var ageLeft = limits.MaxConnectionAge is { } age ? age - _time.GetElapsedTime(_opened) : TimeSpan.MaxValue;
            _isAge = ageLeft < idle;
            return _isAge ? Clamp(ageLeft) : idle;
        }

        if (_frameStarted == 0)
        {
            _frameStarted = _time.GetTimestamp();
        }

        var elapsed = _time.GetElapsedTime(_frameStarted);
        var left = limits.FrameTimeout - elapsed;
        _isRate = false;
        if (limits.MinDataRate is { } rate)
        {
            // The frame must have averaged the rate by now, once the grace period is over: the next bytes are due then.
            var needed = TimeSpan.FromSeconds(_frameBytes / rate.BytesPerSecond);
            var due = (needed > rate.GracePeriod ? needed : rate.GracePeriod) - elapsed;
            if (due < left)
            {
                left = due;
                _isRate = true;
            }
        }

        return Clamp(left);
    }

    /// <summary>
    /// Notes where the connection stands after a read: inside a frame, of which <paramref name="buffered"/> bytes have
    /// come, or between frames. Returns <paramref name="midFrame"/>.
    /// </summary>
    public bool Track(bool midFrame, long buffered)
    {
        if (!midFrame)
        {
            _frameStarted = 0;
            return false;
        }

        if (_frameStarted == 0)
        {
            _frameStarted = _time.GetTimestamp();
        }

        _frameBytes = buffered;
        return true;
    }

    /// <summary>
    /// Closes for a timeout: a frame under way is an error; an idle connection is logged and counted
    /// (<c>idle_timeout</c>); an old one is logged.
    /// </summary>
    /// <exception cref="FramingException">A frame was under way.</exception>
    public void OnTimeout(bool midFrame, TimeSpan timeout)
    {
        var listener = _connection.Listener;
        if (midFrame)
        {
            var elapsed = _frameStarted == 0 ? timeout : _time.GetElapsedTime(_frameStarted);
            if (_isRate && !Stopping)
            {
                throw new FramingException(FramingError.TooSlow, $"frame arriving slower than MinDataRate {Limits.MinDataRate!.BytesPerSecond} bytes/s: {_frameBytes} bytes in {elapsed.TotalSeconds:0.###} s");
            }

            var error = Stopping ? FramingError.Truncated : FramingError.Timeout;
            throw new FramingException(error, $"frame incomplete after {elapsed.TotalSeconds:0.###} s{(Stopping ? " while stopping" : string.Empty)}");
        }

        // A tick may come a hair early: the deadline that was set, not the clock now, says which limit it was.
        if (_isAge || IsPastMaxAge)
        {
            ListenerLog.MaxConnectionAge(listener.Logger, listener.Name, _connection.Id, _connection.Peer, Limits.MaxConnectionAge!.Value);
        }
        else if (!Stopping)
        {
            listener.Listener.ErrorSeen(ErrorReasons.IdleTimeout);
            var level = listener.IdleLogLevel();
            ListenerLog.IdleTimeout(listener.Logger, level, listener.Name, _connection.Id, _connection.Peer, timeout);
        }
    }

    /// <summary>Whether to close now, at a frame boundary, for <c>MaxConnectionAge</c>; logs it.</summary>
    public bool CloseForAge()
    {
        if (!IsPastMaxAge)
        {
            return false;
        }

        var listener = _connection.Listener;
        ListenerLog.MaxConnectionAge(listener.Logger, listener.Name, _connection.Id, _connection.Peer, Limits.MaxConnectionAge!.Value);
        return true;
    }

    /// <summary>
    /// Sets the deadline of the read about to start: the one a park left (the wait goes on), or <paramref name="timeout"/>
    /// from now. Returns it.
    /// </summary>
    public long Arm(TimeSpan timeout)
    {
        var deadline = _resume != None ? _resume : After(timeout);
        _resume = None;
        Volatile.Write(ref _deadline, deadline);
        return deadline;
    }

    /// <summary>The read ended: nothing to expire.</summary>
    public void Disarm() => Volatile.Write(ref _deadline, None);

    /// <summary>Whether <paramref name="deadline"/> has passed: a cancelled read past it is a timeout, not a wake.</summary>
    public bool HasPassed(long deadline) => _time.GetTimestamp() >= deadline;

    /// <summary>Arms <paramref name="timeout"/> for a parked wait; returns what <see cref="Unpark"/> restores if the park fails.</summary>
    public long Park(TimeSpan timeout)
    {
        var previous = _resume;
        var deadline = After(timeout);
        _resume = deadline;
        Volatile.Write(ref _deadline, deadline);
        return previous;
    }

    /// <summary>The park did not happen: the read goes on with the deadline it had.</summary>
    public void Unpark(long previous)
    {
        Volatile.Write(ref _deadline, None);
        _resume = previous;
    }

    /// <summary>
    /// Whether the pending read's deadline is past at <paramref name="now"/>, taking it (once) if so: the caller wakes
    /// the read. Called by the connection manager's tick, which makes every timeout late by up to one tick.
    /// </summary>
    public bool ExpireIfDue(long now)
    {
        var deadline = Volatile.Read(ref _deadline);
        return now >= deadline && Interlocked.CompareExchange(ref _deadline, None, deadline) == deadline;
    }

    private long After(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero)
        {
            return None;
        }

        var ticks = timeout.TotalSeconds * _time.TimestampFrequency;
        var now = _time.GetTimestamp();
        return ticks >= None - now ? None - 1 : now + (long)ticks;
    }

    private static TimeSpan Clamp(TimeSpan timeout) => timeout > TimeSpan.Zero ? timeout : TimeSpan.FromMilliseconds(1);
}
