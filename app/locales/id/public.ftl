# Halaman publik untuk admin bisnis: halaman pendaftaran, penolakan tautan pendaftaran, halaman
# status, dan teks public/signup.js serta public/status.js.
# Penerjemah mengedit teks setelah "=". Biarkan setiap { $name } apa adanya: halaman yang mengisinya.
# Tulis "Meta", "Facebook", "WhatsApp", "Marketing Messages API", dan "Meta Business Suite" seperti
# yang dipakai Meta di antarmuka Meta dalam bahasa Anda.

language-label = Bahasa

## Halaman pendaftaran

signup-title = Hubungkan WhatsApp
signup-sandbox-banner = Mode uji coba: Meta disimulasikan oleh portal ini. Tidak ada akun Facebook sungguhan yang digunakan.
signup-unavailable = Pendaftaran sedang tidak tersedia: { $reason }
signup-partner-fallback = Mitra WhatsApp Anda
signup-heading = Kirim pesan pemasaran WhatsApp bersama kami
signup-lead = Hubungkan Akun WhatsApp Business Anda dalam beberapa klik. Anda masuk dengan Facebook di jendela dari Meta; kami tidak pernah melihat kata sandi Anda.
signup-email-label = Email Anda (opsional)
signup-email-hint = Kami akan mengirimkan tautan ke halaman status penyiapan ini, dan memberi tahu Anda saat Meta memerlukan sesuatu dari Anda.
signup-connect = Hubungkan dengan Facebook
signup-loading = Memuat proses masuk Facebook…
signup-agree-heading = Yang Anda setujui
signup-agree-share = Anda membagikan Akun WhatsApp Business Anda kepada { $partner }, yang mengirim pesan atas nama Anda.
signup-agree-terms = Di jendela Meta, Anda menerima ketentuan Marketing Messages API untuk WhatsApp dari Meta.
signup-agree-billing = Meta mengenakan biaya per pesan pemasaran yang terkirim, yang ditagihkan ke metode pembayaran akun Anda.
signup-agree-remove = Anda dapat mencabut akses kami kapan saja di Meta Business Suite.
signup-next-heading = Apa yang terjadi selanjutnya
signup-next-window = Jendela Meta terbuka: pilih atau buat bisnis, akun, dan nomor Anda.
signup-next-connect = Kami menghubungkan akun Anda dan mengaktifkan pembaruan dari Meta.
signup-next-status = Halaman status menampilkan setiap langkah sampai Anda siap mengirim pesan.

## Tautan pendaftaran yang tidak dapat digunakan

link-title = Tautan pendaftaran
link-refused-heading = Tautan ini tidak dapat digunakan
link-refused-invalid = Tautan pendaftaran ini tidak valid. Pastikan Anda menyalin seluruhnya, atau minta tautan baru kepada mitra Anda.
link-refused-nothing-shared = Tidak ada yang dibagikan kepada siapa pun: akun WhatsApp Anda tetap seperti sebelumnya.

## Pesan tombol pendaftaran (public/signup.js)

js-ready = Siap. Tekan tombol untuk membuka jendela Meta.
js-rate-limited-wait = Terlalu banyak percobaan dari jaringan Anda. Mencoba lagi dalam { $seconds } s…
js-rate-limited = Terlalu banyak percobaan dari jaringan Anda. Silakan coba lagi dalam { $seconds } s.
js-session-failed = Kami tidak dapat memulai sesi pendaftaran: { $reason } Muat ulang halaman untuk mencoba lagi.
js-sdk-slow = Proses masuk Facebook lama dimuat. Periksa koneksi atau pemblokir konten Anda, lalu muat ulang halaman.
js-sdk-start-failed = Proses masuk Facebook tidak dapat dimulai: { $reason }
js-sdk-missing = Proses masuk Facebook tidak dapat dimuat. Periksa koneksi Anda atau izinkan halaman ini di pemblokir konten Anda, lalu muat ulang.
js-cancelled = Anda menutup jendela Meta pada langkah { $step }. Tekan tombol untuk mencoba lagi.
js-meta-error = Meta melaporkan masalah: { $reason } Tekan tombol untuk mencoba lagi.
js-meta-done = Bagian Meta sudah selesai. Menghubungkan akun Anda…
js-popup-closed = Jendela Meta ditutup sebelum selesai, atau browser Anda memblokirnya. Izinkan pop-up untuk halaman ini dan tekan tombol lagi.
js-connecting = Menghubungkan akun Anda dengan Meta…
js-connected = Terhubung. Membuka halaman status Anda…
js-window-open = Jendela Meta sedang terbuka. Selesaikan langkah-langkahnya di sana.
js-unreachable = Server tidak dapat dijangkau (HTTP { $status }).
js-email-invalid = Alamat email ini sepertinya tidak benar. Perbaiki atau kosongkan kolomnya.

## Halaman status

status-title = Penyiapan WhatsApp Anda
status-loading = Memuat status Anda…
status-not-found-heading = Halaman status tidak ditemukan
status-not-found-body = Periksa tautan yang Anda terima, atau mulai lagi dari halaman pendaftaran.
status-error-heading = Status Anda tidak dapat dimuat
status-eyebrow = Penyiapan WhatsApp Anda
status-phone = Telepon: { $phones }
status-updates-itself = Halaman ini diperbarui secara otomatis. Anda bisa menutupnya dan kembali lagi nanti.
status-connection-lost = Koneksi terputus. Halaman ini akan diperbarui lagi begitu koneksi pulih.

badge-done = Selesai
badge-working = Sedang diproses
badge-waiting = Menunggu Meta
badge-action-needed = Perlu tindakan Anda
badge-failed = Dihentikan
badge-pending = Belum dimulai

headline-ready = Anda siap mengirim pesan pemasaran
headline-problem = Kami menemui masalah — lihat detailnya di bawah
headline-action = Tindakan Anda diperlukan
headline-working = Menyiapkan akun Anda…

## Baris daftar periksa status

check-connected = Terhubung ke Meta
check-webhooks = Pembaruan dari Meta diaktifkan
check-number = Nomor telepon siap
check-terms = Ketentuan pesan pemasaran ditandatangani
check-ready = Siap mengirim pesan pemasaran

step-in-progress = Sedang diproses…
step-retrying = Meta sedang sibuk; kami mencoba lagi secara otomatis.
step-waiting = Menunggu Meta.
step-failed = Dihentikan: { $reason }. Tim kami sudah melihatnya dan akan melanjutkannya.

connected-done = Akun WhatsApp Business Anda { $account } sudah terhubung.
connected-working = Menghubungkan ke Meta…
connected-failed = Koneksi gagal. Silakan hubungkan lagi.
connected-cancelled = Jendela pendaftaran ditutup. Buka halaman pendaftaran dan hubungkan lagi.
connected-cancelled-at = Jendela pendaftaran ditutup pada langkah { $step }. Buka halaman pendaftaran dan hubungkan lagi.
connected-pending = Belum terhubung.

connection-offboarded = Nomor WhatsApp Anda terputus dari kami setelah pergantian ponsel atau pendaftaran ulang nomor. Buka aplikasi WhatsApp Business di ponsel Anda dan hubungkan kembali; penyiapan akan berlanjut sendiri begitu nomor tersambung lagi.
connection-removed = Akun WhatsApp Business Anda tidak lagi dibagikan kepada kami, jadi kami tidak dapat mengirim pesan pemasaran untuk Anda. Untuk memulai lagi, hubungkan akun Anda sekali lagi dari halaman pendaftaran.
connection-uninstalled = Akses aplikasi kami ke akun WhatsApp Business Anda telah dicabut, jadi kami tidak dapat mengirim pesan untuk Anda. Untuk memulai lagi, hubungkan akun Anda sekali lagi dari halaman pendaftaran.
connection-deleted = Akun WhatsApp Business ini telah dihapus. Untuk menggunakan pesan pemasaran, hubungkan akun lain dari halaman pendaftaran.

webhooks-pending = Kami akan mengaktifkan pembaruan dari Meta untuk akun Anda.
webhooks-done = Meta mengirimkan pembaruan akun Anda kepada kami.

number-pending = Kami akan mendaftarkan nomor telepon Anda untuk Cloud API.
number-done = Nomor telepon Anda sudah terdaftar untuk Cloud API.
number-limit = Meta mengizinkan 10 kali pendaftaran per nomor dalam 72 jam, dan nomor ini sudah mencapai batas tersebut. Kami akan mencoba lagi saat batasnya direset.
number-none = Tidak ada nomor telepon yang dibagikan. Tambahkan nomor ke Akun WhatsApp Business Anda di WhatsApp Manager.
number-coexistence = Nomor Anda tetap di aplikasi WhatsApp Business (koeksistensi): tidak perlu pendaftaran.

terms-done = Meta mengonfirmasi: Anda telah menerima ketentuan Marketing Messages API.
terms-waiting = Menunggu Meta mengonfirmasi ketentuan pesan pemasaran.
terms-pending = Setelah Anda terhubung.

guidance-on-behalf-of = Akun ini dikelola atas nama Anda oleh mitra (on-behalf-of). Minta kami memindahkan kepemilikannya ke bisnis Anda; setelah itu akun ini memenuhi syarat.
guidance-restricted = Meta telah membatasi atau menonaktifkan akun ini. Periksa Business Support Home di Meta Business Suite dan selesaikan pembatasannya.
guidance-country = Marketing Messages API belum tersedia untuk bisnis di negara Anda.
guidance-business-app = Nomor akun ini hanya digunakan di aplikasi WhatsApp Business. Hubungkan nomor ini ke Cloud API (atau gunakan koeksistensi) agar memenuhi syarat.
guidance-payment-method = Tambahkan metode pembayaran yang valid ke Akun WhatsApp Business Anda di Meta Business Suite (Penagihan & pembayaran).
guidance-internal-setup = Meta sedang menyelesaikan penyiapan akun Anda. Biasanya ini hanya butuh beberapa menit; Anda tidak perlu melakukan apa pun.
guidance-eligible = Akun Anda memenuhi syarat. Menunggu Meta mengonfirmasi ketentuan pesan pemasaran.

ready-done = Anda dapat mengirim pesan pemasaran melalui kami.
ready-restricted = Meta melaporkan pembatasan pada akun ini. Periksa Business Support Home.
ready-pending = Segera setelah langkah-langkah di atas selesai.

## Halaman yang dibuka oleh tautan berhenti berlangganan

unsubscribe-title = Preferensi email
unsubscribe-confirm = Berhenti menerima email ini
unsubscribe-heading = Anda tidak akan menerima email lagi tentang penyiapan ini
unsubscribe-body = Kami telah berhenti mengirim email ke { $email } tentang penyiapan WhatsApp ini. Halaman status Anda tetap menampilkan setiap langkah.
unsubscribe-invalid = Tautan berhenti berlangganan ini tidak valid. Pastikan Anda membuka tautan secara lengkap.

## Mengapa pendaftaran tidak dapat dilanjutkan (ditampilkan di bawah tombol, atau di halaman tautan pendaftaran)

error-unknown-session = Sesi pendaftaran ini tidak dikenali. Muat ulang halaman dan mulai lagi.
error-already-used = Pendaftaran ini sudah selesai. Muat ulang halaman untuk memulai pendaftaran baru.
error-malformed-event = Peristiwa dari jendela pendaftaran tidak dapat dibaca.
error-expired = Sesi pendaftaran ini sudah kedaluwarsa (sesi berlaku 24 jam). Muat ulang halaman untuk memulai lagi.
error-too-many-events = Sesi pendaftaran ini sudah mencatat semua peristiwa yang diizinkan. Muat ulang halaman untuk memulai lagi.
error-rate-limited = Terlalu banyak percobaan dari jaringan Anda. Silakan coba lagi dalam { $seconds } s.
error-code-expired = Otorisasi dari Meta kedaluwarsa sebelum kami sempat menggunakannya (otorisasi ini hanya berlaku sekitar 30 detik). Silakan hubungkan lagi.
error-code-rejected = Meta tidak menerima otorisasi ({ $reason }). Silakan hubungkan lagi.
error-missing-permissions = Anda tidak memberikan izin yang kami perlukan: { $reason }. Silakan hubungkan lagi dan biarkan izin tersebut tetap dipilih.
error-no-waba = Tidak ada Akun WhatsApp Business yang dibagikan kepada kami. Silakan hubungkan lagi dan pilih atau buat akun.
error-meta-unavailable = Meta sedang tidak dapat dijangkau. Silakan coba lagi dalam satu menit.
error-bad-email = Alamat email ini sepertinya tidak benar. Perbaiki atau kosongkan kolomnya.
error-internal = Terjadi kesalahan di pihak kami; tidak ada yang hilang. Silakan coba lagi.
link-refused-expired = Tautan pendaftaran ini sudah kedaluwarsa. Minta tautan baru kepada mitra Anda.
link-refused-revoked = Tautan pendaftaran ini telah ditarik oleh mitra Anda. Minta tautan baru kepada mereka.
link-refused-used = Tautan pendaftaran ini sudah digunakan untuk menghubungkan akun. Jika Anda perlu menghubungkan akun lain, minta tautan baru kepada mitra Anda.
footer-public = Akun WhatsApp Business Anda tetap milik Anda: Anda dapat mencabut akses kami kapan saja di Meta Business Suite.
