// A move-only type-erased callable with inline storage, for the event loop's hot path.
// std::function must be copyable and allocates for most captures; the kernel stores one of these
// per scheduled callback and per spawned process, so small captures must not touch the heap.
// Callables larger than the inline buffer (or not nothrow-movable) are kept on the heap.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace sim {

template <class Signature, std::size_t InlineBytes = 48>
class UniqueFunction;

template <class R, class... Args, std::size_t InlineBytes>
class UniqueFunction<R(Args...), InlineBytes> {
public:
    UniqueFunction() noexcept = default;
    UniqueFunction(std::nullptr_t) noexcept {}

    template <class F, class D = std::decay_t<F>,
              class = std::enable_if_t<!std::is_same_v<D, UniqueFunction> && std::is_invocable_r_v<R, D&, Args...>>>
    UniqueFunction(F&& f) {  // NOLINT(google-explicit-constructor): used like std::function
        construct<D>(std::forward<F>(f));
    }

    UniqueFunction(UniqueFunction&& other) noexcept { take(other); }
    UniqueFunction& operator=(UniqueFunction&& other) noexcept {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    UniqueFunction(const UniqueFunction&) = delete;
    UniqueFunction& operator=(const UniqueFunction&) = delete;
    ~UniqueFunction() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    R operator()(Args... args) { return ops_->call(storage_, std::forward<Args>(args)...); }

    void reset() noexcept {
        if (ops_) {
            ops_->destroy(storage_);
            ops_ = nullptr;
        }
    }

    // Replaces the callable with `f`, built in place: no temporary UniqueFunction to move from
    // (the kernel builds a scheduled callback straight into its slot this way).
    template <class F, class D = std::decay_t<F>>
    void emplace(F&& f) {
        if constexpr (std::is_same_v<D, UniqueFunction>) {
            *this = std::forward<F>(f);
        } else {
            static_assert(std::is_invocable_r_v<R, D&, Args...>, "not callable with this signature");
            reset();
            construct<D>(std::forward<F>(f));
        }
    }

private:
    struct Ops {
        R (*call)(void*, Args&&...);
        void (*move)(void* from, void* to) noexcept;  // move-construct into `to`, destroy `from`
        void (*destroy)(void*) noexcept;
    };

    template <class D>
    static constexpr bool fits_inline() {
        return sizeof(D) <= InlineBytes && alignof(D) <= alignof(std::max_align_t) &&
               std::is_nothrow_move_constructible_v<D>;
    }

    template <class D>
    static constexpr Ops inline_ops{
        [](void* s, Args&&... a) -> R { return (*std::launder(static_cast<D*>(s)))(std::forward<Args>(a)...); },
        [](void* from, void* to) noexcept {
            D* f = std::launder(static_cast<D*>(from));
            ::new (to) D(std::move(*f));
            f->~D();
        },
        [](void* s) noexcept { std::launder(static_cast<D*>(s))->~D(); },
    };

    template <class D>
    static constexpr Ops heap_ops{
        [](void* s, Args&&... a) -> R { return (**static_cast<D**>(s))(std::forward<Args>(a)...); },
        [](void* from, void* to) noexcept { *static_cast<D**>(to) = *static_cast<D**>(from); },
        [](void* s) noexcept { delete *static_cast<D**>(s); },
    };

    template <class D, class F>
    void construct(F&& f) {
        if constexpr (fits_inline<D>()) {
            ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
            ops_ = &inline_ops<D>;
        } else {
            *reinterpret_cast<D**>(storage_) = new D(std::forward<F>(f));
            ops_ = &heap_ops<D>;
        }
    }

    void take(UniqueFunction& other) noexcept {
        if (other.ops_) {
            other.ops_->move(other.storage_, storage_);
            ops_ = other.ops_;
            other.ops_ = nullptr;
        }
    }

    alignas(std::max_align_t) unsigned char storage_[InlineBytes];
    const Ops* ops_ = nullptr;
};

}  // namespace sim
