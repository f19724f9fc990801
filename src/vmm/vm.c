// SPDX-License-Identifier: MIT
/*
 * A VM of the KVM engine: /dev/kvm, one memslot of guest memory, the
 * program image copied in, and page tables mapping both at the host's own
 * addresses (vmm.h). After the KVM selftests' kvm_util.c (vm_create,
 * vm_userspace_mem_region_add, kvm_vm_elf_load) and x86/processor.c
 * (virt_pg_map), written anew: the selftests load a non-PIE test ELF at
 * its link addresses; oversub is a PIE, so the loaded segments are copied
 * from this process and mapped at the addresses it runs them at.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/internal.h"

#define PAGE_SIZE 4096ull
#define HUGE_SIZE (2ull << 20)
#define PT_AREA (512ull << 10) /* page-table pages, at the start of ram */
#define RAM_GPA (1ull << 30)

/* x86 page-table entry bits */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

int vmm_error(struct vmm_vm *vm, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return ret;
}

bool vmm_kvm_available(char *why, size_t len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int v;

	if (fd < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		snprintf(why, len, "/dev/kvm: API version %d, want %d", v,
			 KVM_API_VERSION);
		close(fd);
		return false;
	}
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0) {
		snprintf(why, len, "/dev/kvm: no KVM_CAP_USER_MEMORY");
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

/* dl_iterate_phdr(): the first object is the program itself */
static int image_phdr(struct dl_phdr_info *info, size_t size, void *data)
{
	struct vmm_image *img = data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t start, end;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (img->nr == VMM_IMAGE_MAX_SEGS)
			return -1;
		start = (info->dlpi_addr + ph->p_vaddr) & ~(PAGE_SIZE - 1);
		end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz +
		       PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		img->seg[img->nr].start = start;
		img->seg[img->nr].end = end;
		img->nr++;
	}
	return 1; /* only the program */
}

static int image_find(struct vmm_image *img)
{
	img->nr = 0;
	if (dl_iterate_phdr(image_phdr, img) < 0 || !img->nr)
		return -ENOEXEC;
	/* neighbouring segments may share a page: merge them */
	for (int i = 1; i < img->nr; i++) {
		struct vmm_image_seg *a = &img->seg[i - 1], *b = &img->seg[i];

		if (b->start < a->end) {
			if (b->end > a->end)
				a->end = b->end;
			memmove(b, b + 1, (img->nr - i - 1) * sizeof(*b));
			img->nr--;
			i--;
		}
	}
	return 0;
}

static size_t image_bytes(const struct vmm_image *img)
{
	size_t n = 0;

	for (int i = 0; i < img->nr; i++)
		n += img->seg[i].end - img->seg[i].start;
	return n;
}

bool vmm_in_image(const struct vmm_vm *vm, const void *p, size_t len)
{
	uint64_t a = (uint64_t)p;

	for (int i = 0; i < vm->image.nr; i++)
		if (a >= vm->image.seg[i].start && len <= vm->image.seg[i].end - a)
			return true;
	return false;
}

bool vmm_in_ram(const struct vmm_vm *vm, const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= vm->ram && b <= vm->ram + vm->ram_size &&
	       len <= (size_t)(vm->ram + vm->ram_size - b);
}

/* a zeroed page-table page: its guest-physical address, 0 if none left */
static uint64_t pt_page(struct vmm_vm *vm)
{
	uint64_t off = vm->pt_used;

	if (off + PAGE_SIZE > PT_AREA)
		return 0;
	vm->pt_used += PAGE_SIZE;
	return vm->ram_gpa + off;
}

static uint64_t *gpa_to_hva(struct vmm_vm *vm, uint64_t gpa)
{
	return (uint64_t *)(vm->ram + (gpa - vm->ram_gpa));
}

/* the table entry @level (4: PML4 .. 1: PT) of @gva, tables made as needed;
 * NULL when a larger page already maps the range, or no table is left */
static uint64_t *pte_get(struct vmm_vm *vm, uint64_t gva, int level)
{
	uint64_t *table = gpa_to_hva(vm, vm->pml4_gpa);

	for (int l = 4; l > level; l--) {
		uint64_t *e = &table[(gva >> (12 + 9 * (l - 1))) & 511];

		if (!(*e & PTE_P)) {
			uint64_t t = pt_page(vm);

			if (!t)
				return NULL;
			*e = t | PTE_P | PTE_RW | PTE_US;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		table = gpa_to_hva(vm, *e & PTE_ADDR);
	}
	return &table[(gva >> (12 + 9 * (level - 1))) & 511];
}

/* map @gva -> @gpa, a 4 KiB page (@huge false) or a 2 MiB one */
static int map_page(struct vmm_vm *vm, uint64_t gva, uint64_t gpa, bool huge)
{
	uint64_t *e = pte_get(vm, gva, huge ? 2 : 1);

	if (!e || (*e & PTE_P))
		return vmm_error(vm, -EEXIST,
				 "guest page tables: cannot map 0x%llx (it "
				 "overlaps another mapping, or tables ran out)",
				 (unsigned long long)gva);
	*e = gpa | PTE_P | PTE_RW | PTE_US | (huge ? PTE_PS : 0);
	return 0;
}

void *vmm_alloc(struct vmm_vm *vm, size_t size, size_t align)
{
	size_t off = (vm->heap + align - 1) & ~(align - 1);

	if (off > vm->ram_size || size > vm->ram_size - off)
		return NULL;
	vm->heap = off + size;
	return vm->ram + off;
}

/*
 * Copy @len bytes (a multiple of 8) of the running program: whole pages,
 * padding and a sanitizer's redzones between objects included, which an
 * instrumented memcpy would call overflows.
 */
__attribute__((no_sanitize("address"))) static void
image_copy(uint64_t *dst, const uint64_t *src, size_t len)
{
	const volatile uint64_t *s = src;

	for (size_t i = 0; i < len / 8; i++)
		dst[i] = s[i];
}

/* the program image into guest memory, mapped at its host addresses */
static int load_image(struct vmm_vm *vm)
{
	for (int i = 0; i < vm->image.nr; i++) {
		const struct vmm_image_seg *s = &vm->image.seg[i];
		uint8_t *copy = vmm_alloc(vm, s->end - s->start, PAGE_SIZE);

		if (!copy)
			return vmm_error(vm, -ENOMEM, "guest memory: no room "
					 "for the program image");
		image_copy((uint64_t *)copy, (const uint64_t *)s->start,
			   s->end - s->start);
		for (uint64_t va = s->start; va < s->end; va += PAGE_SIZE) {
			uint64_t gpa = vm->ram_gpa + (copy - vm->ram) +
				       (va - s->start);
			int ret = map_page(vm, va, gpa, false);

			if (ret)
				return ret;
		}
	}
	return 0;
}

static int map_memory(struct vmm_vm *vm)
{
	int ret;

	vm->pml4_gpa = pt_page(vm);
	for (size_t off = 0; off < vm->ram_size; off += HUGE_SIZE) {
		ret = map_page(vm, (uint64_t)(vm->ram + off),
			       vm->ram_gpa + off, true);
		if (ret)
			return ret;
	}
	ret = map_page(vm, VMM_DOORBELL_GPA, VMM_DOORBELL_GPA, false);
	if (!ret)
		ret = map_page(vm, VMM_XAPIC_GPA, VMM_XAPIC_GPA, false);
	return ret;
}

extern const char guest_irq_entries[];

/* the IDT every vCPU of @vm loads: interrupt gates (ring 0, IF cleared)
 * for vectors 32..255 to their entry points; exceptions have none, so a guest
 * exception still ends in a triple fault */
static int make_idt(struct vmm_vm *vm)
{
	vm->idt = vmm_alloc(vm, 256 * 16, 4096);
	if (!vm->idt)
		return vmm_error(vm, -ENOMEM, "guest memory: no room for the IDT");
	for (int v = VMM_FIRST_IRQ_VECTOR; v < 256; v++) {
		uint64_t off = (uint64_t)guest_irq_entries +
			       (uint64_t)(v - VMM_FIRST_IRQ_VECTOR) * 16;

		vm->idt[2 * v] = (off & 0xffff) | (0x08ull << 16) |
				 (0x8eull << 40) | ((off >> 16) & 0xffff) << 48;
		vm->idt[2 * v + 1] = off >> 32;
	}
	return 0;
}

static int create_vcpu(struct vmm_vm *vm, int idx)
{
	struct vmm_vcpu *vcpu = &vm->vcpus[idx];
	int size;

	vcpu->vm = vm;
	vcpu->idx = idx;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, idx);
	if (vcpu->fd < 0)
		return vmm_error(vm, -errno, "KVM_CREATE_VCPU %d: %s", idx,
				 strerror(errno));
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return vmm_error(vm, -EINVAL, "KVM_GET_VCPU_MMAP_SIZE: %d",
				 size);
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return vmm_error(vm, -errno, "mmap of vCPU %d: %s", idx,
				 strerror(errno));
	}
	vcpu->run_size = size;
	vm->nr_vcpus++;
	return vmm_vcpu_setup(vcpu);
}

int vmm_vm_create(struct vmm_vm *vm, unsigned int mem_mib, int nr_vcpus,
		  unsigned int flags, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region;
	size_t need;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->fd = -1;
	for (int i = 0; i < VMM_MAX_VCPUS; i++)
		vm->vcpus[i].fd = -1;
	if (nr_vcpus < 1 || nr_vcpus > VMM_MAX_VCPUS) {
		snprintf(err, errlen, "a VM has 1..%d vCPUs, not %d",
			 VMM_MAX_VCPUS, nr_vcpus);
		return -EINVAL;
	}
	ret = image_find(&vm->image);
	if (ret) {
		snprintf(err, errlen, "the program image: no loaded segments");
		return ret;
	}
	need = PT_AREA + image_bytes(&vm->image) + ((size_t)mem_mib << 20) +
	       (size_t)nr_vcpus * VMM_VCPU_RAM;
	vm->ram_size = (need + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	vm->ram_gpa = RAM_GPA;
	if (vm->ram_gpa + vm->ram_size > VMM_DOORBELL_GPA) {
		snprintf(err, errlen, "guest memory: %u MiB is too much",
			 mem_mib);
		return -EINVAL;
	}
	vm->map_size = vm->ram_size + HUGE_SIZE;
	vm->map = mmap(NULL, vm->map_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->map == MAP_FAILED) {
		vm->map = NULL;
		snprintf(err, errlen, "guest memory (%zu MiB): %s",
			 vm->ram_size >> 20, strerror(errno));
		return -ENOMEM;
	}
	vm->ram = (uint8_t *)(((uint64_t)vm->map + HUGE_SIZE - 1) &
			      ~(HUGE_SIZE - 1));
	vm->heap = PT_AREA;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		ret = vmm_error(vm, -errno, "/dev/kvm: %s", strerror(errno));
	if (!ret) {
		vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
		if (vm->fd < 0)
			ret = vmm_error(vm, -errno, "KVM_CREATE_VM: %s",
					strerror(errno));
	}
	if (!ret) {
		/* VMX without unrestricted guest needs it; harmless else */
		(void)ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
		if ((flags & VMM_VM_KERNEL_IRQCHIP) &&
		    ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
			ret = vmm_error(vm, -errno, "KVM_CREATE_IRQCHIP: %s",
					strerror(errno));
		vm->kernel_irqchip = flags & VMM_VM_KERNEL_IRQCHIP;
	}
	if (!ret) {
		region = (struct kvm_userspace_memory_region){
			.slot = 0,
			.guest_phys_addr = vm->ram_gpa,
			.memory_size = vm->ram_size,
			.userspace_addr = (uint64_t)vm->ram,
		};
		if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
			ret = vmm_error(vm, -errno,
					"KVM_SET_USER_MEMORY_REGION: %s",
					strerror(errno));
	}
	if (!ret)
		ret = map_memory(vm);
	if (!ret)
		ret = load_image(vm);
	if (!ret)
		ret = make_idt(vm);
	for (int i = 0; !ret && i < nr_vcpus; i++)
		ret = create_vcpu(vm, i);
	if (ret) {
		snprintf(err, errlen, "%s", vm->err);
		vmm_vm_destroy(vm);
		return ret;
	}
	return 0;
}

void vmm_vm_destroy(struct vmm_vm *vm)
{
	for (int i = 0; i < VMM_MAX_VCPUS; i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, vcpu->run_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
		vcpu->run = NULL;
		vcpu->fd = -1;
	}
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->map)
		munmap(vm->map, vm->map_size);
	vm->fd = vm->kvm_fd = -1;
	vm->map = NULL;
	vm->ram = NULL;
	vm->nr_vcpus = 0;
}

struct vmm_vm *vmm_vm_new(unsigned int mem_mib, int nr_vcpus,
			  unsigned int flags, char *err, size_t errlen)
{
	struct vmm_vm *vm = malloc(sizeof(*vm));

	if (!vm) {
		snprintf(err, errlen, "a VM: out of memory");
		return NULL;
	}
	if (vmm_vm_create(vm, mem_mib, nr_vcpus, flags, err, errlen)) {
		free(vm);
		return NULL;
	}
	return vm;
}

void vmm_vm_free(struct vmm_vm *vm)
{
	if (!vm)
		return;
	vmm_vm_destroy(vm);
	free(vm);
}

int vmm_vm_signal_msi(struct vmm_vm *vm, int dest, uint8_t vector)
{
	struct kvm_msi msi = {
		.address_lo = 0xfee00000u | ((uint32_t)dest << 12),
		.data = vector, /* fixed, edge */
	};

	if (ioctl(vm->fd, KVM_SIGNAL_MSI, &msi) < 0)
		return vmm_error(vm, -errno, "KVM_SIGNAL_MSI: %s",
				 strerror(errno));
	return 0;
}
