//! rustcounter — a BotHost plugin in Rust, with no crates: Debian's rustc and std only.
//!
//!   bus  a message on rustcounter.add whose payload is a whole number ("5", "-2") adds it to a
//!        count; the new count is published on rustcounter.total
//!
//! Build: rustc --edition 2021 --crate-type cdylib -O -o librustcounter.so lib.rs
//!
//! The ABI is declared here by hand: the few types and the table slots this plugin uses, copied
//! from bothost_plugin.h (which stays the contract; a slot this file does not call is declared as
//! an opaque pointer so that the ones after it keep their place). `#[repr(C)]` gives them C's
//! layout; nothing else crosses the boundary. Callbacks catch panics: nothing may unwind into the
//! host (rule 8).

use std::os::raw::{c_char, c_void};
use std::panic::catch_unwind;
use std::sync::atomic::{AtomicI64, AtomicPtr, Ordering};

// ---- the parts of bothost_plugin.h this plugin uses ---------------------------------------------

const BOTHOST_ABI_MAJOR: u32 = 1;
/// The lowest host minor this plugin needs: everything it calls is in ABI 1.0.
const BOTHOST_REQUIRED_MINOR: u32 = 0;
const BOTHOST_OK: i32 = 0;
const BOTHOST_E_PLUGIN: i32 = 100;
const BOTHOST_LOG_INFO: i32 = 2;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct BothostStr {
    ptr: *const c_char,
    len: usize,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct BothostBytes {
    ptr: *const u8,
    len: usize,
}

/// The opaque plugin instance.
#[repr(C)]
pub struct BothostPlugin {
    _private: [u8; 0],
}

type FreeFn = Option<extern "C" fn(*mut c_void)>;
type BusFn = Option<extern "C" fn(*mut c_void, u64, BothostStr, BothostBytes)>;
type Slot = *const c_void; // a slot this plugin never calls

/// bothost_host_api up to bus_subscribe, in the header's order.
#[repr(C)]
pub struct HostApi {
    struct_size: u32,
    abi_major: u32,
    abi_minor: u32,
    host_version: *const c_char,
    last_error: Option<extern "C" fn() -> BothostStr>,
    free: Slot,
    log: Option<extern "C" fn(*mut BothostPlugin, i32, BothostStr)>,
    unregister: Slot,
    post: Slot,
    timer_start: Slot,
    now_ms: Slot,
    bus_publish: Option<extern "C" fn(*mut BothostPlugin, BothostStr, BothostBytes) -> i32>,
    bus_subscribe: Option<extern "C" fn(*mut BothostPlugin, BothostStr, BusFn, *mut c_void, FreeFn, *mut u64) -> i32>,
}

type InitFn = Option<extern "C" fn(*mut BothostPlugin, *mut *mut c_void, *mut BothostStr) -> i32>;
type StartFn = Option<extern "C" fn(*mut BothostPlugin, *mut c_void, *mut BothostStr) -> i32>;
type StopFn = Option<extern "C" fn(*mut BothostPlugin, *mut c_void)>;

#[repr(C)]
pub struct Descriptor {
    struct_size: u32,
    abi_major: u32,
    abi_minor: u32,
    name: *const c_char,
    version: *const c_char,
    description: *const c_char,
    gateway_intents: u64,
    init: InitFn,
    start: StartFn,
    stop: StopFn,
    config_changed: Slot,
}

/// The descriptor lives in static memory for the life of the process; its pointers are to
/// static strings, so sharing it between threads is safe.
struct StaticDescriptor(Descriptor);
unsafe impl Sync for StaticDescriptor {}

fn text(s: &str) -> BothostStr {
    BothostStr { ptr: s.as_ptr() as *const c_char, len: s.len() }
}

// ---- the plugin ---------------------------------------------------------------------------------

/// The host's table (valid for the life of the process) and this instance; set in entry and start.
static HOST: AtomicPtr<HostApi> = AtomicPtr::new(std::ptr::null_mut());
static SELF: AtomicPtr<BothostPlugin> = AtomicPtr::new(std::ptr::null_mut());
/// Callbacks of one plugin never overlap (rule 7); an atomic keeps the compiler honest about it.
static COUNT: AtomicI64 = AtomicI64::new(0);

fn host() -> &'static HostApi {
    // Set by bothost_plugin_entry before the host calls anything else.
    unsafe { &*HOST.load(Ordering::Acquire) }
}

extern "C" fn on_add(_user_data: *mut c_void, _subscription: u64, _topic: BothostStr, payload: BothostBytes) {
    let _ = catch_unwind(|| {
        let bytes = if payload.ptr.is_null() { &[][..] } else { unsafe { std::slice::from_raw_parts(payload.ptr, payload.len) } };
        let delta = match std::str::from_utf8(bytes).ok().and_then(|s| s.trim().parse::<i64>().ok()) {
            Some(delta) => delta,
            None => return, // not a whole number: ignored
        };
        let total = COUNT.load(Ordering::Relaxed).saturating_add(delta);
        COUNT.store(total, Ordering::Relaxed);
        let message = total.to_string();
        if let Some(publish) = host().bus_publish {
            let body = BothostBytes { ptr: message.as_ptr(), len: message.len() };
            publish(SELF.load(Ordering::Acquire), text("rustcounter.total"), body);
        }
    });
}

extern "C" fn init(_self: *mut BothostPlugin, _out_state: *mut *mut c_void, _out_reason: *mut BothostStr) -> i32 {
    // init runs again when the plugin is re-enabled: start from zero.
    COUNT.store(0, Ordering::Relaxed);
    BOTHOST_OK
}

extern "C" fn start(plugin: *mut BothostPlugin, _state: *mut c_void, out_reason: *mut BothostStr) -> i32 {
    SELF.store(plugin, Ordering::Release);
    let api = host();
    let mut subscription: u64 = 0;
    let status = match api.bus_subscribe {
        Some(subscribe) => subscribe(plugin, text("rustcounter.add"), Some(on_add), std::ptr::null_mut(), None, &mut subscription),
        None => BOTHOST_E_PLUGIN,
    };
    if status != BOTHOST_OK {
        if let (Some(last_error), false) = (api.last_error, out_reason.is_null()) {
            unsafe { *out_reason = last_error() };
        }
        return BOTHOST_E_PLUGIN;
    }
    if let Some(log) = api.log {
        log(plugin, BOTHOST_LOG_INFO, text("rustcounter started"));
    }
    BOTHOST_OK
}

static DESCRIPTOR: StaticDescriptor = StaticDescriptor(Descriptor {
    struct_size: std::mem::size_of::<Descriptor>() as u32,
    abi_major: BOTHOST_ABI_MAJOR,
    abi_minor: BOTHOST_REQUIRED_MINOR,
    name: b"rustcounter\0".as_ptr() as *const c_char,
    version: b"1.0.0\0".as_ptr() as *const c_char,
    description: b"Adds the numbers published on rustcounter.add (Rust example)\0".as_ptr() as *const c_char,
    gateway_intents: 0,
    init: Some(init),
    start: Some(start),
    stop: None,
    config_changed: std::ptr::null(),
});

/// The one exported function: remember the table, return the descriptor, nothing else (rule 1).
#[no_mangle]
pub extern "C" fn bothost_plugin_entry(api: *const HostApi) -> *const Descriptor {
    HOST.store(api as *mut HostApi, Ordering::Release);
    &DESCRIPTOR.0
}
